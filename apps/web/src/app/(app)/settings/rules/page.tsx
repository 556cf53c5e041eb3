import type { Metadata } from "next";
import { RulesAdmin } from "./rules-admin";

export const metadata: Metadata = { title: "Rules" };

export default function RulesPage() {
  return <RulesAdmin />;
}
