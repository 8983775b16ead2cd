"""The synthetic country the demo and the tests run on: seeded, noisy, with the truth kept apart.

- ``people``: the people as they really are; ``identity``, ``names`` and ``places`` supply them;
- ``agencies`` and ``copies``: each agency's records of them, with ``noise`` of its own kind;
- ``country``: the whole country, chunk by chunk; ``files``: the country on disk;
- ``events``: the records as the events agencies publish; ``legacy``: agencies' old copies.
"""
