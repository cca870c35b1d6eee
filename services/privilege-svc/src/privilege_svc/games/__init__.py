"""Club games: 博饼 and the golden egg on one prize engine, paid from a budget."""
