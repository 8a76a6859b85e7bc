"""Running the stages over a corpus: the pipeline, with a local process pool or Ray."""
