// `/v1/automations/callbacks`: the original API's path, the same handlers as /api/v1.
export { dynamic, GET, POST } from "../../../api/v1/automations/callbacks/route";
