"""The main window, in parts: widgets and layout, the model's files, the data, the rules, the document's signals."""
