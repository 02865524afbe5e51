/* The schedule board: drag a screening to another screen or time.
 *
 * Progressive: without this script each block is a link to the screening's form, where a move is made by
 * keyboard or mouse. With it, a block dropped on the board is posted to its move URL (films/admin/moves.py),
 * which checks every rule the form checks. A refused move leaves the block where it was and says why in the
 * board's status line; a move made reloads the board, which then offers to undo it.
 */
(function () {
    "use strict";
    var board = document.querySelector(".board[data-first-minute]");
    var status = document.getElementById("board-status");
    var token = document.querySelector("#board-moves input[name=csrfmiddlewaretoken]");
    if (!board || !status || !token) {
        return;
    }
    var firstMinute = Number(board.dataset.firstMinute);
    var rowMinutes = Number(board.dataset.rowMinutes);
    var dragged = null;
    var grabbedAt = 0; // Pixels from the block's top edge to where it was grabbed.

    function pad(number) {
        return String(number).padStart(2, "0");
    }

    // The wall-clock time at a point of the board, by the hour labels' rows (five minutes a row).
    function minuteAt(y) {
        var hour = board.querySelector(".board-hour");
        var box = hour.getBoundingClientRect();
        var rowHeight = box.height / (60 / rowMinutes);
        var rows = Math.round((y - box.top) / rowHeight);
        return firstMinute + rows * rowMinutes;
    }

    function screenAt(x) {
        var headers = board.querySelectorAll(".board-screen[data-screen]");
        for (var i = 0; i < headers.length; i += 1) {
            var box = headers[i].getBoundingClientRect();
            if (x >= box.left && x < box.right) {
                return headers[i].dataset.screen;
            }
        }
        return null;
    }

    function wallTime(minute) {
        var day = new Date(board.dataset.day + "T00:00:00Z");
        day.setUTCMinutes(day.getUTCMinutes() + minute);
        return day.getUTCFullYear() + "-" + pad(day.getUTCMonth() + 1) + "-" + pad(day.getUTCDate()) +
            "T" + pad(day.getUTCHours()) + ":" + pad(day.getUTCMinutes());
    }

    function say(message, refused) {
        status.textContent = message;
        status.classList.toggle("errornote", Boolean(refused));
    }

    board.addEventListener("dragstart", function (event) {
        var block = event.target.closest(".screening[data-move-url]");
        if (!block) {
            return;
        }
        dragged = block;
        grabbedAt = event.clientY - block.getBoundingClientRect().top;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", block.dataset.screening);
        block.classList.add("dragging");
    });

    board.addEventListener("dragend", function () {
        if (dragged) {
            dragged.classList.remove("dragging");
        }
    });

    board.addEventListener("dragover", function (event) {
        if (dragged) {
            event.preventDefault();
            event.dataTransfer.dropEffect = "move";
        }
    });

    board.addEventListener("drop", function (event) {
        if (!dragged) {
            return;
        }
        event.preventDefault();
        var block = dragged;
        dragged = null;
        var screen = screenAt(event.clientX);
        if (!screen) {
            say(board.dataset.noScreen, true);
            return;
        }
        var body = new FormData();
        body.append("screen", screen);
        body.append("starts_at", wallTime(minuteAt(event.clientY - grabbedAt)));
        body.append("version", block.dataset.version);
        block.classList.add("moving");
        fetch(block.dataset.moveUrl, {
            method: "POST",
            body: body,
            credentials: "same-origin",
            headers: {"Accept": "application/json", "X-CSRFToken": token.value},
        }).then(function (response) {
            return response.json();
        }).then(function (answer) {
            block.classList.remove("moving");
            say(answer.message, !answer.ok);
            if (answer.ok) {
                window.location.reload();
            }
        }).catch(function () {
            block.classList.remove("moving");
            say(board.dataset.failed, true);
        });
    });
}());
