"""Lead files as users have them: detection, outcomes, profiles and the one load pipeline.

Pure core (no Qt). Modules:

* :mod:`.dates` - a column read as dates, as the pipeline reads them (outcomes, backtests, the report);
* :mod:`.detect` - each column's type and format, the id column, the creation date;
* :mod:`.outcome` - what "converted" means in this file (a 0/1 column, some values of a column, a filled date);
* :mod:`.pipeline` - read, detect, bind, check, score: the one path used by the CLI, the API and the app;
* :mod:`.profile` - every column with its fill rate, values and (with an outcome) conversion and information value.
"""
