"""What the product tells its operators: Prometheus metrics (`metrics`) and JSON-lines logs
carrying the request id of the command they serve (`logs`)."""
