"""The bus: publish events to Kafka and consume them, with dead letters for what cannot be read."""
