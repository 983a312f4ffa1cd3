"""What trialfinder keeps on disk between searches."""
