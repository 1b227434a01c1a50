"""Classroom formats: Moodle XML (``moodle``), GIFT (``gift``), Kahoot's spreadsheet
(``kahoot``, written by ``xlsx``), QTI 1.2 for Canvas and other LMSs (``qti``), Quizlet
(``quizlet``) and JSON (``jsonout``); ``common`` holds what they share."""
