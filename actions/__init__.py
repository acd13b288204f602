"""Custom actions of the leg-cramp assistant. rasa_sdk registers every Action subclass found in this
package's modules; each module holds one concern (see README)."""
