"""The cache folder: saved tables of searches and what the folder holds."""
