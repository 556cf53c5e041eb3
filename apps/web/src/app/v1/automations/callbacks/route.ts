// `/v1/automations/callbacks`: the original API's path, served by the same handlers as /api/v1.
export { GET, POST } from "../../../api/v1/automations/callbacks/route";

// Route segment config must be declared here: Next reads it statically and cannot follow a re-export.
export const dynamic = "force-dynamic";
