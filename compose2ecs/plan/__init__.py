"""Stage 3, `plan`: desired request shapes vs deployed state -> the list of changes.

Pure: both sides are normalised to one canonical shape before comparing. (Filled by the run issue.)
"""
