"""Code both servers use (the Rasa server and the action server): clinic hours, the nurse
queue client, the wording of safety lines, the names of signs, intents, entities and
message kinds. It reads the reviewed files in content/ and imports no other layer."""
