import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { Providers } from "~/components/providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Alfred", template: "%s · Alfred" },
  description: "Omnichannel inbox with an automation hub",
};

/** Every page renders per request: the CSP nonce (src/proxy.ts) exists only at request time. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
