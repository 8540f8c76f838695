from tests.cases.conftest import *  # noqa: F403
from tests.cases.conftest import english, staff  # noqa: F401
