import type { TenancyCases } from "./cases";
import { automationCases } from "./automation.cases";
import { inboxCases } from "./inbox.cases";
import { operationsCases } from "./operations.cases";
import { rulesCases } from "./rules.cases";
import { settingsCases } from "./settings.cases";
import { usersCases } from "./users.cases";

/** Every domain's cross-tenant cases. A new procedure or route with an id joins its domain's file. */
export const TENANCY_CASES: TenancyCases[] = [usersCases, automationCases, inboxCases, operationsCases, settingsCases, rulesCases];
