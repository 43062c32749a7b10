"""Helpers the test modules share: servers, processes, messages and checks, one module per thing."""
