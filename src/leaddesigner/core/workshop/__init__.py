"""Workshop mode: example leads told as stories, the room's votes, and a model that agrees with sales.

The articles this product grew from say: interview sales with a deck of example
leads ("would you have a sales person reach out?"), then make the model agree
with what the room decided. :mod:`.cards` picks the leads and tells each one in
plain words (no score on the card), :mod:`.votes` keeps the room's answers as a
CSV beside the model, :mod:`.agreement` compares the model's verdict with the
room's and :mod:`.suggest` finds the smallest point changes that agree with it.
"""
