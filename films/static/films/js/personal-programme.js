/*
 * The personal programme, without an account: the screening keys a visitor marks are kept in
 * localStorage, one list per edition ("festival:my-programme:<edition>" -> ["key", ...]).
 *
 * - Buttons rendered by templates/films/includes/personal_toggle.html
 *   (<button data-screening data-edition data-label-add data-label-remove hidden>) are shown
 *   and toggle the screening in the list.
 * - Links marked data-personal-link (the "My programme" page) get ?edition=...&s=... so the server
 *   renders the choice; on the personal programme page itself ([data-personal-programme]) a change
 *   reloads the page with the new choice, and the edition chooser ([data-personal-editions])
 *   shows the editions that have a choice.
 *
 * - On the personal programme page, what each chosen screening was at the last visit (its time, screen and
 *   status, "festival:my-programme-seen:<edition>" -> {key: {seen, text}}) is remembered; a screening that has
 *   changed since is flagged with what it was, and a notice says so.
 *
 * No inline script, no dependencies; without JavaScript the buttons stay hidden.
 */
(function () {
  "use strict";

  var PREFIX = "festival:my-programme:";
  var SEEN = "festival:my-programme-seen:";
  var KEY = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

  function storage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  var store = storage();
  if (!store) {
    return;
  }

  function read(edition) {
    var value;
    try {
      value = JSON.parse(store.getItem(PREFIX + edition) || "[]");
    } catch (error) {
      value = [];
    }
    if (!Array.isArray(value)) {
      return [];
    }
    return value.filter(function (key) {
      return typeof key === "string" && KEY.test(key);
    });
  }

  function write(edition, keys) {
    if (keys.length) {
      store.setItem(PREFIX + edition, JSON.stringify(keys));
    } else {
      store.removeItem(PREFIX + edition);
    }
  }

  // The page's address with ?edition=...&s=key1,key2; keys are [a-z0-9-], so the commas stay readable.
  function personalUrl(base, edition, keys) {
    var url = new URL(base, window.location.href);
    var query = "?edition=" + encodeURIComponent(edition);
    if (keys.length) {
      query += "&s=" + keys.join(",");
    }
    return url.pathname + query;
  }

  function show(button) {
    var chosen = read(button.dataset.edition).indexOf(button.dataset.screening) !== -1;
    button.setAttribute("aria-pressed", chosen ? "true" : "false");
    button.textContent = chosen ? button.dataset.labelRemove : button.dataset.labelAdd;
    button.hidden = false;
  }

  function buttons() {
    return Array.prototype.slice.call(document.querySelectorAll("button[data-screening][data-edition]"));
  }

  function updateLinks() {
    var links = document.querySelectorAll("a[data-personal-link][data-edition]");
    Array.prototype.forEach.call(links, function (link) {
      link.href = personalUrl(link.href, link.dataset.edition, read(link.dataset.edition));
    });
  }

  function toggle(button) {
    var edition = button.dataset.edition;
    var key = button.dataset.screening;
    var keys = read(edition);
    var index = keys.indexOf(key);
    if (index === -1) {
      keys.push(key);
    } else {
      keys.splice(index, 1);
    }
    write(edition, keys);
    buttons().forEach(function (other) {
      if (other.dataset.edition === edition) {
        show(other);
      }
    });
    updateLinks();
    var page = document.querySelector("[data-personal-programme]");
    if (page && page.dataset.edition === edition) {
      window.location.assign(personalUrl(window.location.href, edition, keys));
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-screening][data-edition]");
    if (button) {
      event.preventDefault();
      toggle(button);
    }
  });

  // Another tab changed the choice: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key && event.key.indexOf(PREFIX) === 0) {
      buttons().forEach(show);
      updateLinks();
    }
  });

  buttons().forEach(show);
  updateLinks();

  // The personal programme page opened without a choice in its address: bring the stored one.
  var page = document.querySelector("[data-personal-programme]");
  if (page && page.dataset.edition && !page.dataset.keys) {
    var stored = read(page.dataset.edition);
    if (stored.length) {
      window.location.replace(personalUrl(window.location.href, page.dataset.edition, stored));
      return;
    }
  }

  // Flag the chosen screenings that changed since the last visit, then remember them as they are now.
  function flagChanges(programme) {
    var edition = programme.dataset.edition;
    var before;
    try {
      before = JSON.parse(store.getItem(SEEN + edition) || "null");
    } catch (error) {
      before = null;
    }
    var now = {};
    var changed = 0;
    Array.prototype.forEach.call(programme.querySelectorAll("li[data-screening][data-seen]"), function (item) {
      var key = item.dataset.screening;
      now[key] = { seen: item.dataset.seen, text: item.dataset.seenText };
      var was = before && typeof before === "object" ? before[key] : null;
      var note = item.querySelector("[data-seen-note]");
      if (was && typeof was.seen === "string" && was.seen !== item.dataset.seen && note) {
        var label = document.createElement("strong");
        label.textContent = programme.dataset.labelChanged;
        note.textContent = "";
        note.appendChild(label);
        note.appendChild(document.createTextNode(" " + String(was.text || "")));
        note.hidden = false;
        changed += 1;
      }
    });
    var notice = programme.querySelector("[data-personal-changed]");
    if (notice) {
      notice.hidden = changed === 0;
    }
    store.setItem(SEEN + edition, JSON.stringify(now));
  }

  if (page && page.dataset.edition && page.dataset.keys) {
    flagChanges(page);
  }

  // The page without an edition: list the editions that have a choice; go straight there if only one.
  var chooser = document.querySelector("[data-personal-editions]");
  if (chooser) {
    var withChoice = [];
    Array.prototype.forEach.call(chooser.querySelectorAll("[data-edition]"), function (item) {
      var keys = read(item.dataset.edition);
      var link = item.querySelector("a");
      if (keys.length && link) {
        link.href = personalUrl(link.href, item.dataset.edition, keys);
        item.hidden = false;
        withChoice.push(link.href);
      }
    });
    var none = document.querySelector("[data-personal-none]");
    if (none) {
      none.hidden = withChoice.length > 0;
    }
    if (withChoice.length === 1) {
      window.location.replace(withChoice[0]);
    }
  }
})();
