"""FairCollect: lawful, transparent and provable debt collection."""

__version__ = "0.1.0"
