"""The pages about the site itself, linked from every page's footer."""
