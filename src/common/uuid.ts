/** A UUID as the product writes them (any version), for ids that arrive as text in a form or a JSON body. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
