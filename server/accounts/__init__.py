"""Staff accounts: Django users, roles as groups, and the mall each person works for."""
