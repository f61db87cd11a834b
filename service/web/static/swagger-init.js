// Starts Swagger UI on /docs. A file of its own, not inline, so the page's
// Content-Security-Policy can forbid inline script.
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    // Swagger UI would otherwise send the spec to its vendor's online validator.
    validatorUrl: null
  });
})();
