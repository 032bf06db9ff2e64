"""Platform pieces shared by every app: health checks, JSON errors, the console shell, page
languages, scheduled jobs (each app registers its own) and `serve`. Only accounts (for staff
names) is below it; the demo, which drives the apps, is the `demo` app at the top."""
