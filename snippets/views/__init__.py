"""Admin views added to the configuration snippets: the dispatch directory
as a tree, and delete screens that say what keeps a row from going."""
