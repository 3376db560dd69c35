"""What is the same in every domain of Kumiai: the workflow engine, the calendar and
deadlines, text normalisation, 和暦, PDF building blocks, the spreadsheet-safe CSV writer,
tries limits, receipt numbers and tokens, the audited save/delete and its admin mixin, and
the public filing.

`core` sits just above `audit`: it imports no domain app (purposes, safeguards, records,
disclosure, complaints, reports), and every domain app may import it (`lint-imports`).
"""
