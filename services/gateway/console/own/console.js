// The developer console (开发者控制台): GraphiQL with the explorer, served from the platform
// itself. Kept in a file of its own because the page's Content-Security-Policy allows no
// inline script. Headers typed in the headers editor (Authorization, X-Tenant) are sent with
// every HTTP request and, for subscriptions, as the graphql-transport-ws connection_init
// payload, which is where the platform reads them.
(function () {
  "use strict";

  const EXAMPLE_QUERY = `# Alliance platform (区域化党建联盟平台) developer console.
#
# Put a token in the Headers tab below, for example
#   {"Authorization": "Bearer <token from: alliance token --tenant demo --login alliance-admin>"}
# and add "X-Tenant": "<slug>" to act in another alliance where you hold a role.
#
# Run with Ctrl-Enter.
{
  viewer {
    login
    roles { tenant role }
  }
}
`;

  const EXAMPLE_HEADERS = '{"Authorization": "Bearer "}';

  const parameters = {};
  for (const entry of window.location.search.slice(1).split("&")) {
    const eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
    }
  }

  // The query and variables may be shared by link; headers never go into the URL (tokens).
  function updateURL(data) {
    Object.assign(parameters, data);
    const search = Object.keys(parameters)
      .filter((key) => Boolean(parameters[key]) && key !== "headers")
      .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
      .join("&");
    history.replaceState(null, "", "?" + search);
  }

  const fetchURL = window.location.href.split("?")[0];
  const subscriptionURL = (function () {
    const url = new URL(fetchURL);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.hash = "";
    return url.toString();
  })();

  const fetcher = GraphiQL.createFetcher({ url: fetchURL, subscriptionUrl: subscriptionURL });
  const explorer = GraphiQLPluginExplorer.explorerPlugin();

  function Console() {
    const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
    const [variables, setVariables] = React.useState(parameters.variables);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      query: query,
      variables: variables,
      defaultHeaders: EXAMPLE_HEADERS,
      onEditQuery: (text) => {
        setQuery(text);
        updateURL({ q: text });
      },
      onEditVariables: (text) => {
        setVariables(text);
        updateURL({ variables: text });
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      // Tokens stay out of localStorage: a shared office computer keeps no one's token.
      shouldPersistHeaders: false,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Console));
})();
