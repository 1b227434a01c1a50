"""Classroom formats: Moodle XML (``moodle``), GIFT (``gift``), Kahoot's spreadsheet
(``kahoot``, written by ``xlsx``), Quizlet (``quizlet``) and JSON (``jsonout``); ``common``
holds what they share."""
