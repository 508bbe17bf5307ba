"""Dialogs: model YAML, value maps, changelog and shortcuts; the lead file's mapping and outcome; compare; fit."""
