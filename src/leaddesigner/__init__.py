"""LeadDesigner: design, test and ship lead-scoring models."""
__version__ = "0.1.0"
