"""Landing: bus events into store tables, exactly once, with the offsets beside the rows."""

from govbus.land.lander import land
from govbus.land.offsets import stored_positions
from govbus.land.receipt import LandingReceipt, TopicLanding
from govbus.land.sink import LAND_GROUP, BatchHook, TableSink
from govbus.land.tables import landed_table, landed_table_name, landing_columns

__all__ = [
    "LAND_GROUP",
    "BatchHook",
    "LandingReceipt",
    "TableSink",
    "TopicLanding",
    "land",
    "landed_table",
    "landed_table_name",
    "landing_columns",
    "stored_positions",
]
