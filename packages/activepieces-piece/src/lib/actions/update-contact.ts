import { Property } from "@activepieces/pieces-framework";
import { callbackAction } from "./callback-action";

export const updateContact = callbackAction({
  name: "update_contact",
  action: "update_contact",
  displayName: "Update contact",
  description: "Changes a contact's name, e-mail, phone, attributes or lead score. Empty fields are left as they are.",
  props: {
    contact_id: Property.ShortText({ displayName: "Contact id", required: true }),
    name: Property.ShortText({ displayName: "Name", required: false }),
    email: Property.ShortText({ displayName: "E-mail", required: false }),
    phone: Property.ShortText({ displayName: "Phone", required: false }),
    attributes: Property.Json({ displayName: "Attributes", description: "A JSON object of custom attributes (at most 16 KiB).", required: false }),
    lead_score: Property.Number({ displayName: "Lead score", description: "0 to 100.", required: false }),
  },
  params: (v) => ({ contact_id: v.contact_id, name: v.name, email: v.email, phone: v.phone, attributes: v.attributes, lead_score: v.lead_score }),
});
