// Kept for old links and bookmarks: the page now loads its modules from js/main.js.
import './js/main.js';
