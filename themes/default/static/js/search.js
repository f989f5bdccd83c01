/* Site search on the Pagefind index (pagefind/, built with the site: panelsite/search/index.py).
 *
 * Without JavaScript the search page is a plain list of every page; this script shows the search
 * box, asks pagefind.js (loaded on the first search), and lists the results above that list. The
 * number found is announced through the status line; the query goes into the address (?q=), so a
 * search can be shared, and the back button brings it back.
 */
(function () {
  "use strict";
  var form = document.querySelector(".search__form");
  if (!form || !window.Promise || !window.URLSearchParams) return;
  var input = form.querySelector("input[type=search]");
  var status = document.querySelector(".search__status");
  var list = document.querySelector(".search__results");
  var bundle = new URL(form.getAttribute("data-pagefind"), document.baseURI).href;
  var basePath = form.getAttribute("data-base-path") || "/";
  var pagefind = null;
  var shown = 10;
  form.hidden = false;

  function load() {
    if (!pagefind) {
      pagefind = import(bundle).then(function (module) {
        return Promise.resolve(module.options({ baseUrl: basePath })).then(function () { return module; });
      });
    }
    return pagefind;
  }

  function pages(n) {
    return n === 1 ? "1 pagina" : n + " pagina's";
  }

  function show(query, total, items) {
    list.textContent = "";
    items.forEach(function (item) {
      var entry = document.createElement("li");
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = (item.meta && item.meta.title) || item.url;
      heading.appendChild(link);
      entry.appendChild(heading);
      var excerpt = document.createElement("p");
      // Pagefind's excerpt is the page's own text, escaped, with <mark> around the words found
      excerpt.innerHTML = item.excerpt;
      entry.appendChild(excerpt);
      list.appendChild(entry);
    });
    list.hidden = items.length === 0;
    if (total === 0) {
      status.textContent = "Geen pagina's gevonden met ‘" + query + "’. Probeer een ander woord, of kies een pagina uit de lijst hieronder.";
    } else if (total > items.length) {
      status.textContent = pages(total) + " gevonden met ‘" + query + "’. Hieronder staan de eerste " + items.length + ".";
    } else {
      status.textContent = pages(total) + " gevonden met ‘" + query + "’.";
    }
  }

  function search(query) {
    if (!query) {
      list.hidden = true;
      status.textContent = "Typ een woord om te zoeken.";
      return;
    }
    status.textContent = "Bezig met zoeken…";
    load()
      .then(function (module) { return module.search(query); })
      .then(function (found) {
        return Promise.all(found.results.slice(0, shown).map(function (r) { return r.data(); }))
          .then(function (items) { show(query, found.results.length, items); });
      })
      .catch(function () {
        list.hidden = true;
        status.textContent = "Zoeken lukt nu niet. Kies een pagina uit de lijst hieronder.";
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = input.value.trim();
    var address = new URL(window.location.href);
    if (query) address.searchParams.set("q", query); else address.searchParams.delete("q");
    window.history.pushState({ q: query }, "", address.href);
    search(query);
  });

  window.addEventListener("popstate", function () {
    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    if (query) search(query); else { list.hidden = true; status.textContent = ""; }
  });

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    search(initial.trim());
  }
})();
