"""Telling people what happened to a case: e-mail and group-robot messages to staff, SMS to
visitors, sent from a queue off the request path, and the live console and tracking page."""
