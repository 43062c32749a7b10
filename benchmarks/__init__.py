"""Ratio benchmarks: the SDK against the plain libraries it wraps, measured side by side (`make bench`)."""
