/* "Use my location": an enhancement of the search form. Without JavaScript the form works as is. */
(function () {
  var slot = document.getElementById("locate");
  var form = document.querySelector("form.search");
  if (!slot || !form || !navigator.geolocation) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = slot.getAttribute("data-label");
  var message = document.createElement("p");
  message.setAttribute("role", "status");
  slot.appendChild(button);
  slot.appendChild(message);
  function field(name, value) {
    var input = form.querySelector("input[name=" + name + "]") || document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      var typed = form.querySelector("input[name=q]");
      if (typed) typed.value = "";
      field("lat", pos.coords.latitude.toFixed(5));
      field("lon", pos.coords.longitude.toFixed(5));
      form.submit();
    }, function () {
      message.textContent = slot.getAttribute("data-error");
    }, { timeout: 10000, maximumAge: 600000 });
  });
})();
