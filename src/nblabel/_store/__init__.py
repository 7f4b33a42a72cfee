"""The parts of :mod:`nblabel.store`: its tables and migrations, its write and read paths."""
