"""Tasks across plans (issue 30, item 3): every task row of the selected plans as one table.

``model`` holds the typed values (``TaskQuery``: the filters, sort and limit; ``TaskLine``: a
row with its plan's title and link; ``TaskTable``: the answer), ``query`` the work over
``Reader.find_tasks`` (the filters, the cited-document filter through the index's mentions,
the sorts, grouping by plan or by lead), ``export`` the same table as CSV, Excel or Word.

May import ``indexer`` (the reader, folding, errors), ``service.mentions`` (resolving a cited
document) and ``service.exports`` (files, links); the HTTP edge (``service.web``) and the CLI
import it, never the reverse.
"""

from service.tasks.model import SORTS, TaskLine, TaskQuery, TaskTable
from service.tasks.query import find_tasks, group_lines

__all__ = ["SORTS", "TaskLine", "TaskQuery", "TaskTable", "find_tasks", "group_lines"]
