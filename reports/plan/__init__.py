"""The monitoring plan as a working tool: who owes what (``obligations``), the reminders
(``reminders``), the edits of an item (``services``) and the page rows (``pages``)."""
