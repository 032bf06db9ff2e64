"""Cases: complaints, praise, suggestions and lost-property reports from kiosks, their lifecycle,
the phone tracking page and the staff console."""
