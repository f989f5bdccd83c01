"""A panel round from the command line: invitations, reminders, the factsheet mailing, status.

``commands`` brings the ``mail`` command's arguments and runs; ``mailings`` decides who gets a
mailing and when it may go (the questionnaire's fieldwork, the factsheet's embargo);
``factsheet`` renders the factsheet e-mail with the build's own factsheet family. The rows go
into the collector's outbox (collector/storage/outbox.py) and are sent by its sender
(collector/sender.py): by this command, or by a running collector with the same settings.
"""
