"""Site search: a Pagefind index of every public page (:mod:`.index`) and the search page that
uses it, with a plain list of every page for a browser without JavaScript (:mod:`.family`)."""
