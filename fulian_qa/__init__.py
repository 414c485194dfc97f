"""fulian-qa: cited question answering over women's-federation (妇联) work reports."""

__version__ = "0.1.0"
