"""The failures a user can act on; the CLI prints them as one line instead of a traceback."""

from dlt_sources.cursor.errors import CursorAPIError

from .config import ConfigError
from .export import ExportError
from .summary import SummaryError
from .transform import TransformError
from .warehouse import WarehouseError

EXPECTED_ERRORS = (CursorAPIError, ConfigError, WarehouseError, TransformError, SummaryError, ExportError)
