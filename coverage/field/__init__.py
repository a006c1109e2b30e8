"""Field work: evaluation trips (requests, solvers, exports) and supervisors' assignments and monthly rounds."""
