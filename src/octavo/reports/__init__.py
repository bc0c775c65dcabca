"""Reports (issue #7): circulation, collection, overdue, fines, patron and title reports, read
from the database by aggregate queries, shown as a table and a chart, written as CSV, XLSX or
JSON."""
