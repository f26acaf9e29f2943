"""GraphQL documents for the Shopify Admin API (HTTP payloads only; no logic).

Query cost: Shopify refuses a single query whose requested cost exceeds 1,000 points, and a
connection costs roughly ``first`` × its children. So the backfill list asks for a summary per
order (first 10 lines, trackings, refund totals: roughly 100 points an order, pages of 8) and
``fetch_order`` asks for one order in full (fulfilment line quantities, refund lines; roughly 850
points). Lines beyond the first page are fetched with ORDER_LINES. The figures are estimates from
Shopify's published cost rules, not measurements; a MAX_COST_EXCEEDED answer halves the page.
"""

MONEY = """
fragment DoorstepMoney on MoneyBag {
  shopMoney { amount currencyCode }
  presentmentMoney { amount currencyCode }
}
"""

ORDER_HEAD = """
fragment DoorstepOrderHead on Order {
  id name createdAt updatedAt cancelledAt cancelReason test email phone sourceName
  currencyCode presentmentCurrencyCode displayFinancialStatus displayFulfillmentStatus paymentGatewayNames
  totalPriceSet { ...DoorstepMoney } subtotalPriceSet { ...DoorstepMoney } totalTaxSet { ...DoorstepMoney }
  totalShippingPriceSet { ...DoorstepMoney } totalDiscountsSet { ...DoorstepMoney }
  totalRefundedSet { ...DoorstepMoney }
  customer { id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
  shippingAddress { name company address1 address2 city province zip countryCodeV2 phone }
}
"""

LINE_FIELDS = """
fragment DoorstepLine on LineItem {
  id title variantTitle sku quantity product { id } variant { id } originalUnitPriceSet { ...DoorstepMoney }
}
"""

ORDER_SUMMARY = MONEY + ORDER_HEAD + LINE_FIELDS + """
fragment DoorstepOrderSummary on Order {
  ...DoorstepOrderHead
  lineItems(first: 10) { pageInfo { hasNextPage endCursor } nodes { ...DoorstepLine } }
  fulfillments(first: 5) {
    id status createdAt updatedAt displayStatus
    trackingInfo(first: 5) { number company url }
  }
  refunds(first: 5) { id createdAt note totalRefundedSet { ...DoorstepMoney } }
}
"""

ORDER_FULL = MONEY + ORDER_HEAD + LINE_FIELDS + """
fragment DoorstepOrderFull on Order {
  ...DoorstepOrderHead
  lineItems(first: 40) { pageInfo { hasNextPage endCursor } nodes { ...DoorstepLine } }
  fulfillments(first: 5) {
    id status createdAt updatedAt displayStatus
    trackingInfo(first: 10) { number company url }
    fulfillmentLineItems(first: 25) { nodes { quantity lineItem { id } } }
  }
  refunds(first: 5) {
    id createdAt note totalRefundedSet { ...DoorstepMoney }
    refundLineItems(first: 25) { nodes { quantity lineItem { id } } }
  }
}
"""

ORDERS = ORDER_SUMMARY + """
query DoorstepOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ...DoorstepOrderSummary }
  }
}
"""

ORDER = ORDER_FULL + """
query DoorstepOrder($id: ID!) {
  order(id: $id) { ...DoorstepOrderFull }
}
"""

ORDER_LINES = MONEY + LINE_FIELDS + """
query DoorstepOrderLines($id: ID!, $after: String) {
  order(id: $id) {
    lineItems(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...DoorstepLine } }
  }
}
"""

ORDER_TRANSACTIONS = MONEY + """
query DoorstepOrderTransactions($id: ID!) {
  order(id: $id) {
    id currencyCode presentmentCurrencyCode
    transactions(first: 50) { id kind status gateway parentTransaction { id } amountSet { ...DoorstepMoney } }
  }
}
"""

PRODUCTS = """
query DoorstepProducts($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id title handle status updatedAt
      featuredMedia { preview { image { url } } }
      variants(first: 50) { nodes { id title sku price inventoryQuantity } }
    }
  }
}
"""

WEBHOOK_SUBSCRIPTION_CREATE = """
mutation DoorstepWebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}
"""

FULFILLMENT_EVENT_CREATE = """
mutation DoorstepFulfillmentEventCreate($fulfillmentEvent: FulfillmentEventInput!) {
  fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) {
    fulfillmentEvent { id status happenedAt }
    userErrors { field message }
  }
}
"""

_REFUND_SELECTION = """{
    refund {
      id createdAt note totalRefundedSet { ...DoorstepMoney }
      refundLineItems(first: 50) { nodes { quantity lineItem { id } } }
    }
    userErrors { field message }
  }"""

# From 2026-01 refundCreate takes an @idempotent key (mandatory from 2026-04); older versions
# reject the directive, so the adapter picks the document by API version.
REFUND_CREATE = MONEY + """
mutation DoorstepRefundCreate($input: RefundInput!, $idempotencyKey: String!) {
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) """ + _REFUND_SELECTION + """
}
"""

REFUND_CREATE_LEGACY = MONEY + """
mutation DoorstepRefundCreate($input: RefundInput!) {
  refundCreate(input: $input) """ + _REFUND_SELECTION + """
}
"""
