"""The signed-in administration area: dashboard, opening and closing, responses, audit log."""
