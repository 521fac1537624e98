/* matrix.c: placeholder until the wiring lands. */
