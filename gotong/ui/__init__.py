"""Page helpers shared by every app's views (above accounts, below the domain apps)."""
